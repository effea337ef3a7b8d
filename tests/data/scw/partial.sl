$ ScenarioWizard 3.0
Solution set
 5 

" 2 3 2",4,0,0,15,""
" 1 1 1",0,0,0,0,"not consistent"
" 3 1 3",12,1,0,12,""
" 2 3 2",4,0,0,15,"again"
" 2 2 2",1,0,0,10,""
